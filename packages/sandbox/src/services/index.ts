/** Every sandbox service, in the order `/_sandbox` lists them. */
import type { ServiceFactory } from '../service.ts';
import { chargeover } from './chargeover.ts';
import { hubspot } from './hubspot.ts';
import { intercom } from './intercom.ts';
import { openMeteo } from './open-meteo.ts';
import { platform } from './platform.ts';

export const SERVICE_FACTORIES: ServiceFactory[] = [hubspot, intercom, chargeover, openMeteo, platform];
