/** The runtime model of `pinning` (see schema-pins.ts): the top-level setting or one upstream's. */

export type PinningMode = 'pinned' | 'hide';

export interface PinningModel {
  enabled: boolean;
  onChange: PinningMode;
}
