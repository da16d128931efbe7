/** What every customer tool is built from: the three connectors and the clock. */
import type { Connectors } from '../identify.ts';

export interface ToolDeps {
  connectors: Connectors;
  /** UTC midnight of "today" (pinned by GATEHOUSE_TODAY in tests and demos). */
  today(): Date;
}
