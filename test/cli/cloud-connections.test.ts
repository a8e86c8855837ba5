/**
 * `updraft connections add|list|remove --target aws|localstack`: one Secrets Manager secret per
 * connection under `updraft/<env>/connections/`, validated before it is stored; `list` reads
 * names only (no value is ever fetched or printed); `remove` keeps the 30-day recovery window
 * unless `--force`. Secrets Manager is mocked.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REGION, openCloudHarness, type CloudHarness } from './cloud-harness.ts';

const secrets = mockClient(SecretsManagerClient);
let h: CloudHarness;

beforeAll(async () => {
  h = await openCloudHarness();
});
afterAll(async () => {
  secrets.restore();
  await h.close();
});
beforeEach(() => secrets.reset());

const URI = 'postgres://etl:s%40cret@db.internal:5432/analytics?sslmode=require';

describe('updraft connections add --target aws', () => {
  it('creates the secret under the environment’s prefix and never prints the value', async () => {
    secrets.on(CreateSecretCommand).resolves({ Name: 'updraft/dev/connections/warehouse' });
    const r = await h.cli(['connections', 'add', 'warehouse', URI, '--target', 'aws']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      `✔ Added connection "warehouse" in AWS (dev, ${REGION}): secret updraft/dev/connections/warehouse`,
      "  ↳ tasks that declare connections: ['warehouse'] read it at run time; its value is never printed",
    ]);
    expect(secrets.commandCalls(CreateSecretCommand).map((c) => c.args[0].input)).toEqual([
      {
        Name: 'updraft/dev/connections/warehouse',
        SecretString: URI,
        Description: 'Updraft connection "warehouse" (dev)',
      },
    ]);
    expect(`${r.out}${r.err}`).not.toContain('s%40cret');
  });

  it('an existing connection needs --overwrite, which puts a new value', async () => {
    secrets
      .on(CreateSecretCommand)
      .rejects(
        new ResourceExistsException({ message: 'the secret already exists', $metadata: {} }),
      );
    secrets.on(PutSecretValueCommand).resolves({});
    const refused = await h.cli([
      'connections',
      'add',
      'warehouse',
      URI,
      '--target',
      'aws',
      '--env',
      'prod',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(
      `✖ connection "warehouse" already exists in AWS (prod, ${REGION}) (secret updraft/prod/connections/warehouse)\n    ↳ pass --overwrite to replace its value, or remove it first with: updraft connections remove warehouse --target aws --env prod`,
    );
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    const replaced = await h.cli([
      'connections',
      'add',
      'warehouse',
      '{"type":"http","host":"api.example.com","password":"p4ss"}',
      '--overwrite',
      '--target',
      'aws',
      '--env',
      'prod',
    ]);
    expect(replaced.code).toBe(0);
    expect(replaced.out.split('\n')[0]).toBe(
      `✔ Replaced connection "warehouse" in AWS (prod, ${REGION}): secret updraft/prod/connections/warehouse`,
    );
    expect(secrets.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      {
        SecretId: 'updraft/prod/connections/warehouse',
        SecretString: '{"type":"http","host":"api.example.com","password":"p4ss"}',
      },
    ]);
  });

  it('validates the id and the value before calling AWS', async () => {
    const badValue = await h.cli([
      'connections',
      'add',
      'warehouse',
      'not a uri',
      '--target',
      'aws',
    ]);
    expect(badValue.code).toBe(1);
    expect(badValue.err).toBe(
      '✖ connection "warehouse" is neither a URI (scheme://login:password@host:port/schema) nor a JSON object',
    );
    const badId = await h.cli(['connections', 'add', 'Ware-House', URI, '--target', 'aws']);
    expect(badId.code).toBe(1);
    expect(badId.err).toMatch(/^✖ connection id "Ware-House" is not valid: .*use "ware_house"$/);
    expect(secrets.calls()).toHaveLength(0);
  });

  it('says how to restore a connection whose secret is scheduled for deletion', async () => {
    secrets.on(CreateSecretCommand).rejects(
      new InvalidRequestException({
        message:
          "You can't create this secret because a secret with this name is already scheduled for deletion.",
        $metadata: {},
      }),
    );
    const r = await h.cli(['connections', 'add', 'warehouse', URI, '--target', 'aws']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      '✖ connection "warehouse" was removed and its secret updraft/dev/connections/warehouse is scheduled for deletion\n    ↳ restore it with: aws secretsmanager restore-secret --secret-id updraft/dev/connections/warehouse, then add it again with --overwrite',
    );
  });
});

describe('updraft connections list --target aws', () => {
  it('lists names under the prefix, page by page, without reading any value', async () => {
    // The paginator reuses one input object: keep a copy of each request as it is sent.
    const pages = [
      {
        SecretList: [
          {
            Name: 'updraft/dev/connections/warehouse',
            LastChangedDate: new Date('2026-11-01T10:00:00Z'),
          },
          {
            Name: 'Updraft/Dev/Connections/other-case',
            LastChangedDate: new Date('2026-11-01T10:00:00Z'),
          },
        ],
        NextToken: 'next',
      },
      {
        SecretList: [
          { Name: 'updraft/dev/connections/api', CreatedDate: new Date('2026-10-01T08:00:00Z') },
        ],
      },
    ];
    const sent: unknown[] = [];
    secrets.on(ListSecretsCommand).callsFake((input: object) => {
      sent.push(JSON.parse(JSON.stringify(input)));
      return pages.shift();
    });
    const r = await h.cli(['connections', 'list', '--target', 'aws']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      '┌───────────┬───────────────────────────────────┬──────────────────────────┐',
      '│ id        │ secret                            │ last changed             │',
      '├───────────┼───────────────────────────────────┼──────────────────────────┤',
      '│ api       │ updraft/dev/connections/api       │ 2026-10-01T08:00:00.000Z │',
      '├───────────┼───────────────────────────────────┼──────────────────────────┤',
      '│ warehouse │ updraft/dev/connections/warehouse │ 2026-11-01T10:00:00.000Z │',
      '└───────────┴───────────────────────────────────┴──────────────────────────┘',
      `2 connections in AWS (dev, ${REGION}) (values are not shown)`,
    ]);
    expect(sent).toEqual([
      { Filters: [{ Key: 'name', Values: ['updraft/dev/connections/'] }] },
      { Filters: [{ Key: 'name', Values: ['updraft/dev/connections/'] }], NextToken: 'next' },
    ]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('--json gives id, secret and date; an empty environment says how to add one', async () => {
    secrets.on(ListSecretsCommand).resolves({ SecretList: [] });
    const empty = await h.cli(['connections', 'list', '--target', 'aws', '--env', 'staging']);
    expect(empty.out).toBe(
      `No connections in AWS (staging, ${REGION}). Add one with \`updraft connections add <id> <uri> --target aws --env staging\`.`,
    );
    secrets.on(ListSecretsCommand).resolves({
      SecretList: [
        {
          Name: 'updraft/dev/connections/api',
          LastChangedDate: new Date('2026-11-02T00:00:00Z'),
        },
      ],
    });
    const json = await h.cli(['connections', 'list', '--target', 'aws', '--json']);
    expect(JSON.parse(json.out)).toEqual([
      { id: 'api', secret: 'updraft/dev/connections/api', lastChanged: '2026-11-02T00:00:00.000Z' },
    ]);
  });
});

describe('updraft connections remove --target aws', () => {
  it('schedules the deletion with the 30-day recovery window, and says how to restore', async () => {
    secrets.on(DeleteSecretCommand).resolves({
      Name: 'updraft/dev/connections/api',
      DeletionDate: new Date('2026-12-21T12:00:00Z'),
    });
    const r = await h.cli(['connections', 'remove', 'api', '--target', 'aws']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      `✔ Removed connection "api" from AWS (dev, ${REGION}): secret updraft/dev/connections/api is scheduled for deletion on 2026-12-21T12:00:00.000Z`,
      '  ↳ recoverable for 30 days: aws secretsmanager restore-secret --secret-id updraft/dev/connections/api; --force deletes at once',
    ]);
    expect(secrets.commandCalls(DeleteSecretCommand)[0]!.args[0].input).toEqual({
      SecretId: 'updraft/dev/connections/api',
      RecoveryWindowInDays: 30,
    });
  });

  it('--force deletes without recovery', async () => {
    secrets.on(DeleteSecretCommand).resolves({ Name: 'updraft/dev/connections/api' });
    const r = await h.cli(['connections', 'remove', 'api', '--force', '--target', 'aws']);
    expect(r.out).toBe(
      `✔ Removed connection "api" from AWS (dev, ${REGION}): secret updraft/dev/connections/api deleted for good`,
    );
    expect(secrets.commandCalls(DeleteSecretCommand)[0]!.args[0].input).toEqual({
      SecretId: 'updraft/dev/connections/api',
      ForceDeleteWithoutRecovery: true,
    });
  });

  it('an unknown connection gets a did-you-mean from the environment’s connections', async () => {
    secrets.on(DeleteSecretCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      }),
    );
    secrets.on(ListSecretsCommand).resolves({
      SecretList: [
        { Name: 'updraft/dev/connections/warehouse' },
        { Name: 'updraft/dev/connections/api' },
      ],
    });
    const r = await h.cli(['connections', 'remove', 'warehous', '--target', 'aws']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `✖ connection "warehous" is not in AWS (dev, ${REGION}) (no secret updraft/dev/connections/warehous) (did you mean "warehouse"?)\n    ↳ its connections: api, warehouse`,
    );
  });
});
