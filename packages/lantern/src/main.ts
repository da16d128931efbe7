/** Runs `lantern …` as its own process (`node packages/lantern/src/main.ts serve`). */
import { runLanternCli } from './cli.ts';

try {
  await runLanternCli(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`lantern: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
