export { type AtRiskAnswer, type AtRiskRenewal, findAtRiskRenewals } from './at-risk.ts';
export { type CustomerConfig, configFromEnv } from './config.ts';
export { ChargeOverConnector } from './connectors/chargeover.ts';
export { HubSpotConnector } from './connectors/hubspot.ts';
export { IntercomConnector } from './connectors/intercom.ts';
export { quarterOf, todayOf } from './dates.ts';
export { type Connectors, identifyCustomer, parseCustomerKey } from './identify.ts';
export { type CustomerProfile, customerProfile } from './profile.ts';
export {
  type CustomerServerOptions,
  createConnectors,
  createCustomerServer,
  SERVER_NAME,
  SERVER_VERSION,
} from './server.ts';
