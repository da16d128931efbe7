// The images' HEALTHCHECK: GET the health URL, exit 0 on a 2xx answer and 1 otherwise (within
// 2.5 s). Plain JavaScript so that it needs nothing but the image's Node.
//
//   GATEHOUSE_HEALTH_URL   default http://127.0.0.1:8080/healthz (the gateway; a domain server
//                          started with --port 8080)
//   GATEHOUSE_HEALTH_CA, GATEHOUSE_HEALTH_CERT, GATEHOUSE_HEALTH_KEY
//                          files for an https:// URL: the CA to check the server against, and a
//                          client certificate and key for a server that requires one (mTLS)
//
// The request names Host "localhost": the domain servers accept only the Host names they were
// told (DNS-rebinding protection), and loopback names always.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const url = new URL(process.env.GATEHOUSE_HEALTH_URL ?? 'http://127.0.0.1:8080/healthz');
const file = (name) => (process.env[name] ? readFileSync(process.env[name]) : undefined);
const tls =
  url.protocol === 'https:'
    ? {
        ca: file('GATEHOUSE_HEALTH_CA'),
        cert: file('GATEHOUSE_HEALTH_CERT'),
        key: file('GATEHOUSE_HEALTH_KEY'),
        servername: 'localhost',
      }
    : {};
const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
const req = send(url, { method: 'GET', headers: { host: 'localhost' }, timeout: 2500, ...tls }, (res) => {
  res.resume();
  process.exit(res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (error) => {
  process.stderr.write(`health check of ${url.href} failed: ${error.message}\n`);
  process.exit(1);
});
req.end();
