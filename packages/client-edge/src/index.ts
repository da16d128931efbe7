export { deliverInReadOrder, type MessageHandler } from './read-order.ts';
