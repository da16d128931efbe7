/**
 * The security boundary: the token decides who, and no argument changes it. Dave of Contoso asking
 * for INC-1 gets Contoso's INC-1; refs that try a path, a query, a huge number or an injection are
 * a clean tool error, never another org's data; arguments the tools do not declare (org, user,
 * token) are dropped before the handler runs (the kit's zod objects strip unknown keys) and change
 * nothing; an operator's token carries no cross-org power here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ALICE,
  BOB,
  body,
  DAVE,
  OLIVIA,
  type StdioServer,
  serverAs,
  startWorld,
  type World,
} from './helpers.ts';

interface Incident {
  ref: string;
  orgId: string;
  title: string;
  notes?: unknown[];
}

let world: World;
let dave: StdioServer;
let northwindTitles: string[];
before(async () => {
  world = await startWorld();
  dave = await serverAs(world.lantern, DAVE);
  const listed = (await (await world.lantern.api('/incidents?limit=100', { as: BOB })).json()) as {
    incidents: Incident[];
  };
  northwindTitles = listed.incidents.map((i) => i.title);
  assert.ok(northwindTitles.length >= 7);
});
after(async () => {
  await dave?.close();
  await world.close();
});

/** No Northwind incident title anywhere in what Dave saw. */
function assertNoNorthwind(text: string): void {
  for (const title of northwindTitles) assert.ok(!text.includes(title), `Northwind's "${title}" leaked`);
  assert.ok(!text.includes('northwind'), `"northwind" in ${text}`);
}

describe("Dave of Contoso cannot reach Northwind's incidents", () => {
  test("get_incident INC-1 is Contoso's INC-1, even with org/user/token arguments", async () => {
    const plain = await dave.call('get_incident', { ref: 'INC-1' });
    assert.equal(plain.isError, false, plain.text);
    const incident = plain.structured as unknown as Incident;
    assert.deepEqual(
      { ref: incident.ref, org: incident.orgId, title: incident.title },
      { ref: 'INC-1', org: 'contoso', title: 'Invoice PDFs missing line items' },
    );
    const dressed = await dave.call('get_incident', {
      ref: 'INC-1',
      org: 'northwind',
      orgId: 'northwind',
      user: ALICE,
      token: world.lantern.tokens[ALICE],
    });
    assert.equal(dressed.isError, false, dressed.text);
    assert.deepEqual(dressed.structured, plain.structured);
    assertNoNorthwind(dressed.text);
  });

  test('list_incidents and whoami ignore extra arguments', async () => {
    const plain = await dave.call('list_incidents', {});
    const dressed = await dave.call('list_incidents', { org: 'northwind', orgs: 'all', limit: 100 });
    const orgs = (r: typeof plain) => new Set((body(r).incidents as Incident[]).map((i) => i.orgId));
    assert.deepEqual(orgs(plain), new Set(['contoso']));
    assert.deepEqual(orgs(dressed), new Set(['contoso']));
    assertNoNorthwind(dressed.text);
    const me = await dave.call('whoami', { as: ALICE, token: world.lantern.tokens[ALICE] });
    assert.equal((body(me).user as { email: string }).email, DAVE);
  });

  test("a number only Northwind has is not found, and Dave's writes to it change nothing", async () => {
    const before = (await (await world.lantern.api('/incidents/INC-5', { as: BOB })).json()) as Incident;
    for (const [tool, args] of [
      ['get_incident', { ref: 'INC-5' }],
      ['add_incident_note', { ref: 'INC-5', body: 'hello from Contoso' }],
      ['set_incident_status', { ref: 'INC-5', status: 'open' }],
    ] as const) {
      const refused = await dave.call(tool, args);
      assert.equal(refused.isError, true, tool);
      assert.equal(refused.text, 'Not found in Lantern: no incident INC-5.', tool);
      assertNoNorthwind(refused.text);
    }
    const afterwards = (await (await world.lantern.api('/incidents/INC-5', { as: BOB })).json()) as Incident;
    assert.deepEqual(afterwards, before, "Northwind's INC-5 is untouched");
  });

  const HOSTILE_REFS = [
    '../INC-1',
    '../../northwind/INC-1',
    'INC-1?org=northwind',
    'INC-1#northwind',
    'INC-1/notes',
    '%2e%2e%2fINC-1',
    'INC-1%3Forg%3Dnorthwind',
    "1' OR '1'='1",
    '1; DROP TABLE incidents',
    'INC-99999999999999999999',
    '-1',
    '1e3',
    '',
    ' ',
    'INC-',
  ];
  for (const ref of HOSTILE_REFS) {
    test(`ref ${JSON.stringify(ref)} is a clean tool error`, async () => {
      const refused = await dave.call('get_incident', { ref });
      assert.equal(refused.isError, true, refused.text);
      assert.equal(refused.structured, undefined);
      assert.match(refused.text, /ref: an incident reference looks like INC-12/);
      assertNoNorthwind(refused.text);
    });
  }

  test('a huge but well-formed ref is simply not found', async () => {
    const refused = await dave.call('get_incident', { ref: 'INC-999999999' });
    assert.equal(refused.text, 'Not found in Lantern: no incident INC-999999999.');
  });

  test('the API still stands: every incident is where it was', async () => {
    const counts = async (email: string) =>
      (
        (await (await world.lantern.api('/incidents?limit=100', { as: email })).json()) as {
          incidents: unknown[];
        }
      ).incidents.length;
    assert.equal(await counts(BOB), northwindTitles.length);
    assert.equal(await counts(DAVE), 2);
  });
});

describe("an operator's token has no cross-org power here", () => {
  test('Olivia sees only her own org and is not granted orgs:all', async () => {
    const olivia = await serverAs(world.lantern, OLIVIA);
    try {
      const me = await olivia.call('whoami');
      assert.ok(!(body(me).permissions as string[]).includes('orgs:all'));
      const listed = await olivia.call('list_incidents', { org: 'northwind', limit: 100 });
      assert.equal(listed.isError, false, listed.text);
      assert.deepEqual(
        (body(listed).incidents as Incident[]).filter((i) => i.orgId !== 'lantern'),
        [],
      );
      const incident = await olivia.call('get_incident', { ref: 'INC-1', org: 'northwind' });
      assert.equal(incident.text, 'Not found in Lantern: no incident INC-1.');
    } finally {
      await olivia.close();
    }
  });
});
