/** Call options for tests: a signal, an `ask` that records each question, and the statuses seen. */
import type { CallStatus, CallToolOptions, UserAnswer, UserQuestion } from '../../src/index.ts';

export interface Recorded extends CallToolOptions {
  questions: UserQuestion[];
  statuses: CallStatus[];
}

export function answering(
  answer: UserAnswer | ((q: UserQuestion) => UserAnswer),
  signal = new AbortController().signal,
): Recorded {
  const questions: UserQuestion[] = [];
  const statuses: CallStatus[] = [];
  return {
    signal,
    questions,
    statuses,
    async ask(question) {
      questions.push(question);
      return typeof answer === 'function' ? answer(question) : answer;
    },
    onStatus(status) {
      statuses.push(status);
    },
  };
}

/** Options for a call that must not ask anything (a question fails the test's assertions). */
export function noQuestions(signal?: AbortSignal): Recorded {
  return answering({ action: 'cancel' }, signal);
}
