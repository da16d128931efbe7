/**
 * The one composer for the request pipeline: an onion of stages, each of which may act before
 * and after the stages inside it by calling `next()` and looking at the outcome it returns.
 *
 * A stage is typed by what it receives and what it hands on: identify receives a request and
 * hands on an IdentifiedRequest, route a RoutedRequest, and so on, so a stage can only read what
 * an earlier stage established. The assembly is written outermost first and checked by the
 * compiler link by link (`Assembly.from(outermost).inside(next)…end(innermost)`).
 *
 * A stage may throw a wire error instead of returning one; every link turns a throw into an
 * error outcome, so the stages outside it see failures as values. Calling `next()` twice from
 * one stage is a bug that would run the inner stages twice, so it fails.
 */
import { errorOutcome, type Outcome, type Pipeline } from './outcome.ts';

export type Next<Out> = (req: Out) => Promise<Outcome>;
export type Stage<In, Out = In> = (req: In, next: Next<Out>) => Promise<Outcome>;

type AnyStage = Stage<unknown, unknown>;

/** A stage that hands the request on unchanged: the place of a stage that is configured off. */
export function pass<R>(): Stage<R, R> {
  return (req, next) => next(req);
}

function guarded<R>(handler: Pipeline<R>): Pipeline<R> {
  return async (req) => {
    try {
      return await handler(req);
    } catch (error) {
      return errorOutcome(error);
    }
  };
}

function link(stage: AnyStage, inner: Pipeline<unknown>): Pipeline<unknown> {
  return guarded((req) => {
    let called = false;
    return stage(req, (next) => {
      if (called) throw new Error('next() called more than once by one pipeline stage');
      called = true;
      return inner(next);
    });
  });
}

/** Stages in order, outermost first; `end()` adds the innermost handler and builds the pipeline. */
export class Assembly<In, Cur> {
  private readonly stages: readonly AnyStage[];

  private constructor(stages: readonly AnyStage[]) {
    this.stages = stages;
  }

  static from<In, Out>(stage: Stage<In, Out>): Assembly<In, Out> {
    return new Assembly<In, Out>([stage as unknown as AnyStage]);
  }

  inside<Out>(stage: Stage<Cur, Out>): Assembly<In, Out> {
    return new Assembly<In, Out>([...this.stages, stage as unknown as AnyStage]);
  }

  end(terminal: Pipeline<Cur>): Pipeline<In> {
    let handler = guarded(terminal as Pipeline<unknown>);
    for (let i = this.stages.length - 1; i >= 0; i--) handler = link(this.stages[i] as AnyStage, handler);
    return handler as Pipeline<In>;
  }
}
