/**
 * The customer server's small parts on their own: environment parsing (defaults, every bad
 * variable named), quarters and ages, how a customer key is read, the record trimming, bounded
 * concurrency and how connector failures become tool errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ToolError } from '@gatehouse/kit';
import { HttpError, ServiceUnavailableError } from '@gatehouse/kit/infra';
import { mapBounded } from '../src/concurrency.ts';
import { configFromEnv } from '../src/config.ts';
import { apiRoot, where } from '../src/connectors/chargeover.ts';
import { ageInDays, quarterOf, todayOf } from '../src/dates.ts';
import { toToolError, unavailableReason } from '../src/failures.ts';
import { parseCustomerKey } from '../src/identify.ts';
import { compact } from '../src/tools/record-tools.ts';

const GOOD = {
  HUBSPOT_TOKEN: 'h',
  INTERCOM_TOKEN: 'i',
  CHARGEOVER_BASE_URL: 'https://northwind.chargeover.com',
  CHARGEOVER_PUBLIC_KEY: 'pub',
  CHARGEOVER_PRIVATE_KEY: 'priv',
};

describe('configFromEnv', () => {
  it('applies the real services as defaults', () => {
    const config = configFromEnv(GOOD);
    assert.equal(config.hubspot.baseUrl, 'https://api.hubapi.com');
    assert.equal(config.intercom.baseUrl, 'https://api.intercom.io');
    assert.equal(config.timeoutMs, 5_000);
    assert.equal(config.today, undefined);
    assert.equal(configFromEnv({ ...GOOD, GATEHOUSE_TODAY: '2026-11-21' }).today, '2026-11-21');
  });

  it('names every missing or bad variable at once; empty counts as missing', () => {
    assert.throws(
      () =>
        configFromEnv({
          HUBSPOT_TOKEN: '',
          HUBSPOT_BASE_URL: 'ftp://x',
          CUSTOMER_TIMEOUT_MS: 'soon',
          GATEHOUSE_TODAY: '2026-13-45',
        }),
      (error: Error) => {
        for (const name of [
          'HUBSPOT_TOKEN',
          'HUBSPOT_BASE_URL',
          'INTERCOM_TOKEN',
          'CHARGEOVER_BASE_URL',
          'CHARGEOVER_PUBLIC_KEY',
          'CHARGEOVER_PRIVATE_KEY',
          'CUSTOMER_TIMEOUT_MS',
          'GATEHOUSE_TODAY',
        ])
          assert.match(error.message, new RegExp(name));
        assert.match(error.message, /^customer-server: invalid environment/);
        return true;
      },
    );
  });
});

describe('dates', () => {
  const today = todayOf('2026-11-21');

  it('quarters: current, next, previous, explicit, across years; nonsense is undefined', () => {
    assert.deepEqual(quarterOf('current', today), {
      label: '2026-Q4',
      start: new Date('2026-10-01'),
      end: new Date('2027-01-01'),
    });
    assert.equal(quarterOf('next', today)?.label, '2027-Q1');
    assert.equal(quarterOf('previous', todayOf('2026-02-03'))?.label, '2025-Q4');
    assert.deepEqual(quarterOf('2025-q2', today)?.start, new Date('2025-04-01'));
    for (const bad of ['Q5', '2026-Q0', 'last', '']) assert.equal(quarterOf(bad, today), undefined, bad);
  });

  it('ages are whole calendar days; today is a UTC day', () => {
    assert.equal(ageInDays(new Date('2026-11-21T17:00:00Z'), today), 0);
    assert.equal(ageInDays(new Date('2026-11-20T23:59:00Z'), today), 1);
    assert.equal(ageInDays(new Date('2026-10-22T08:00:00Z'), today), 30);
    assert.deepEqual(todayOf(undefined, new Date('2026-03-04T22:10:00Z')), new Date('2026-03-04'));
  });
});

describe('customer keys', () => {
  it('reads ids, domains (bare, with scheme, www or path) and names', () => {
    assert.deepEqual(parseCustomerKey(' 9100007888 '), { kind: 'id', value: '9100007888' });
    assert.deepEqual(parseCustomerKey('Sawtooth.com'), { kind: 'domain', value: 'sawtooth.com' });
    assert.deepEqual(parseCustomerKey('https://www.sawtooth.com/about'), {
      kind: 'domain',
      value: 'sawtooth.com',
    });
    assert.deepEqual(parseCustomerKey('Blue Ridge Adventure Co.'), {
      kind: 'name',
      value: 'Blue Ridge Adventure Co.',
    });
    assert.deepEqual(parseCustomerKey('Acme'), { kind: 'name', value: 'Acme' });
  });

  it('ChargeOver base URLs: the site or its API root', () => {
    assert.equal(apiRoot('https://northwind.chargeover.com'), 'https://northwind.chargeover.com/api/v3');
    assert.equal(
      apiRoot('https://northwind.chargeover.com/api/v3/'),
      'https://northwind.chargeover.com/api/v3',
    );
    assert.equal(apiRoot('http://127.0.0.1:7300/chargeover/'), 'http://127.0.0.1:7300/chargeover/api/v3');
  });

  it('ChargeOver where clauses refuse values that would break the syntax', () => {
    assert.equal(where('customer_id', 'EQUALS', 12), 'customer_id:EQUALS:12');
    assert.throws(() => where('company', 'EQUALS', 'Smith, Jones & Co'), /cannot filter/);
  });
});

describe('compact', () => {
  it('drops null, empty strings, empty arrays and empty objects, keeps false and 0', () => {
    assert.deepEqual(
      compact({ a: null, b: '', c: [], d: {}, e: false, f: 0, g: { h: null, i: [{ j: null, k: 1 }] } }),
      {
        e: false,
        f: 0,
        g: { i: [{ k: 1 }] },
      },
    );
  });
});

describe('mapBounded', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30, 0, 60]);
    assert.equal(peak, 3);
    assert.deepEqual(await mapBounded([], 3, async () => 1), []);
  });
});

describe('failures', () => {
  it('maps HTTP and availability failures to tool errors a model can act on', () => {
    const code = (e: unknown) => (e as ToolError).code;
    assert.equal(code(toToolError(new HttpError('HubSpot', 404, '/x'), 'No deal 1.')), 'not_found');
    assert.equal(code(toToolError(new HttpError('HubSpot', 401, '/x'))), 'upstream_auth');
    assert.equal(code(toToolError(new HttpError('Intercom', 429, '/x'))), 'rate_limited');
    assert.equal(code(toToolError(new HttpError('ChargeOver', 503, '/x'))), 'unavailable');
    assert.equal(
      code(toToolError(new ServiceUnavailableError('ChargeOver', 'no answer within 5 ms'))),
      'unavailable',
    );
    const plain = new Error('boom');
    assert.equal(toToolError(plain), plain, 'other errors pass through (the kit reports them as failures)');
    const tool = new ToolError('x', 'y');
    assert.equal(toToolError(tool), tool);
    assert.equal(
      unavailableReason(new HttpError('ChargeOver', 502, '/api')),
      'ChargeOver is unavailable: it answered HTTP 502',
    );
  });
});
