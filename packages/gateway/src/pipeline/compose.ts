/**
 * The one composer for the request pipeline: an onion of middleware where each stage may act
 * before and after the stages inside it by awaiting `next()`. Calling `next()` twice from one
 * stage is a bug that would run the inner stages twice, so it throws.
 */
export type Next = () => Promise<void>;
export type Middleware<C> = (ctx: C, next: Next) => Promise<void>;

export function compose<C>(
  stages: readonly Middleware<C>[],
): (ctx: C, terminal?: Middleware<C>) => Promise<void> {
  return (ctx, terminal) => {
    let lastIndex = -1;
    const dispatch = async (i: number): Promise<void> => {
      if (i <= lastIndex) throw new Error('next() called more than once by one pipeline stage');
      lastIndex = i;
      const stage = i === stages.length ? terminal : stages[i];
      if (stage === undefined) return;
      await stage(ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
