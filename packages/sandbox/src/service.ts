/**
 * What a sandbox service is: a name, the path it is mounted under (standing in for the real
 * service's base URL), and a Hono app with the real service's routes and answer shapes over
 * seeded data.
 */
import type { Hono } from 'hono';

export interface SandboxOptions {
  /** Seed for every generated record; the same seed gives the same world. */
  seed: number;
  /** The reference "today" the data is generated around (renewal dates, deploy times, weather). */
  now: Date;
}

export interface SandboxService {
  /** Short name used in URLs, fault knobs and logs: `hubspot`, `intercom`, `chargeover`, `open-meteo`, `platform`. */
  readonly name: string;
  /** What it stands for, e.g. "CRM (HubSpot CRM v3 objects API)". */
  readonly title: string;
  /** The real service's base URL the mount replaces, e.g. `https://api.hubapi.com`. */
  readonly realBaseUrl: string;
  /** How the real service authenticates, for the README ("Bearer private-app token"). */
  readonly auth: string;
  /** False for services the real world serves without credentials (Open-Meteo's free API). */
  readonly requiresAuth: boolean;
  /** The routes, relative to the mount (`/crm/v3/objects/deals`, not `/hubspot/crm/…`). */
  readonly app: Hono;
}

export type ServiceFactory = (options: SandboxOptions) => SandboxService;
