export {
  ChangeFeed,
  type ChangeFeedLog,
  type ChangeFeedOptions,
  LIST_KINDS,
  type ListKind,
} from './change-feed.ts';
export { deliverInReadOrder, type MessageHandler } from './read-order.ts';
