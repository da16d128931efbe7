export { createPgPool, openSqlite, pgCheck, sqliteCheck } from './databases.ts';
export {
  HttpClient,
  type HttpClientOptions,
  HttpError,
  type HttpProblem,
  type RequestOptions,
  ServiceUnavailableError,
} from './http-client.ts';
