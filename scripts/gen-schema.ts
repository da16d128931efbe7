/**
 * Generates schema/gatehouse.schema.json from the config's zod schema (the one source of truth),
 * so editors complete gatehouse.yaml. `--check` fails when the checked-in file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { GatewayConfigSchema } from '../packages/gateway/src/config/schema.ts';

const target = fileURLToPath(new URL('../schema/gatehouse.schema.json', import.meta.url));
const schema = {
  ...z.toJSONSchema(GatewayConfigSchema, { io: 'input', target: 'draft-2020-12' }),
  $id: 'https://gatehouse.dev/schema/gatehouse.schema.json',
  title: 'Gatehouse gateway configuration (gatehouse.yaml)',
};
const text = `${JSON.stringify(schema, null, 2)}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    process.stderr.write(
      'schema/gatehouse.schema.json is stale: run `npm run schema` and commit the result\n',
    );
    process.exit(1);
  }
  process.stdout.write('schema/gatehouse.schema.json is current\n');
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
