import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Engine } from '../../core/engine.ts';
import { createOrg } from '../../core/orgs.ts';
import { createPlatform } from '../../core/platforms/platforms.ts';
import { createApiKey, deleteOrg, listOrgs, rotateDataKeys } from '../../core/admin.ts';
import { verifyOrgs } from '../../core/audit/verify.ts';
import { AppError, invalid, notFound } from '../../core/errors.ts';
import { errorHandler } from '../http/errors.ts';
import { createdView, createUser } from '../../core/users/create.ts';
import { ROLES } from '../../core/users/sessions.ts';

/**
 * The local admin endpoint: how the CLI reaches an embedded server's database (PGlite allows one
 * process). It is served on its own listener bound to 127.0.0.1 (never the public port), accepts
 * only loopback peers, and wants the token the server wrote to <dataDir>/admin.json (0600).
 * It is not part of the public API, so it stays out of the OpenAPI document.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const digest = (s: string) => crypto.createHash('sha256').update(s).digest();

/** Equal-length digests, so the comparison time says nothing about the token. */
export function tokenMatches(given: string, expected: string): boolean {
  return crypto.timingSafeEqual(digest(given), digest(expected));
}

function orgIdParam(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw notFound('org');
  return value;
}

export function createAdminApp(engine: Engine, token: string) {
  const app = express();
  app.disable('x-powered-by');
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return next(new AppError('forbidden', 'The admin endpoint only answers loopback clients.'));
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!m || !tokenMatches(m[1], token)) return next(new AppError('unauthorized', 'Invalid admin token.'));
    next();
  });
  app.use(express.json({ limit: '16kb' }));

  app.get('/internal/admin/ping', (_req, res) => {
    res.json({ ok: true, pid: process.pid, mode: engine.config.mode });
  });

  app.get('/internal/admin/orgs', async (_req, res) => {
    res.json({ orgs: await listOrgs(engine) });
  });

  app.post('/internal/admin/orgs', async (req, res) => {
    const name = req.body?.name;
    if (typeof name !== 'string' || !name.trim() || name.length > 200) throw invalid('/name', 'must be a non-empty string of at most 200 characters');
    const { org, apiKey } = await createOrg(engine, { name: name.trim() });
    res.status(201).json({ org, apiKey });
  });

  app.post('/internal/admin/platforms', async (req, res) => {
    const name = req.body?.name;
    if (typeof name !== 'string' || !name.trim() || name.length > 200) throw invalid('/name', 'must be a non-empty string of at most 200 characters');
    res.status(201).json(await createPlatform(engine.db, { name: name.trim() }));
  });

  app.delete('/internal/admin/orgs/:id', async (req, res) => {
    const orgId = orgIdParam(req.params.id);
    await deleteOrg(engine, orgId);
    res.json({ deleted: orgId });
  });

  app.post('/internal/admin/users', async (req, res) => {
    const { orgId, email, role, name, password } = req.body ?? {};
    if (!ROLES.includes(role) || typeof email !== 'string' || typeof password !== 'string') throw invalid('/', 'needs email, role and password');
    const user = await createUser(engine, orgIdParam(orgId), { email, role, name: typeof name === 'string' ? name : null, password });
    res.status(201).json(createdView(user, password));
  });

  app.post('/internal/admin/api-keys', async (req, res) => {
    const { orgId, name, scopes } = req.body ?? {};
    if (name !== undefined && (typeof name !== 'string' || !name.trim() || name.length > 100)) throw invalid('/name', 'must be a non-empty string of at most 100 characters');
    if (scopes !== undefined && (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string'))) throw invalid('/scopes', 'must be an array of scope names');
    res.status(201).json(await createApiKey(engine, orgIdParam(orgId), { ...(name ? { name: name.trim() } : {}), ...(scopes ? { scopes } : {}) }));
  });

  app.post('/internal/admin/keys/rotate', async (req, res) => {
    const orgId = req.body?.orgId === undefined ? undefined : orgIdParam(req.body.orgId);
    res.json({ rotated: await rotateDataKeys(engine, orgId) });
  });

  app.get('/internal/admin/audit/verify', async (req, res) => {
    const orgId = req.query.orgId === undefined ? undefined : orgIdParam(req.query.orgId);
    res.json({ results: await verifyOrgs(engine.db, orgId) });
  });

  app.use((req: Request, _res: Response, next: NextFunction) => next(new AppError('not_found', `No route ${req.method} ${req.path}.`)));
  app.use(errorHandler);
  return app;
}
