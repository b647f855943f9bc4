import express from 'express';
import Router from 'express-promise-router';
import type { HealthService } from './service/HealthService';

/** @public */
export type RouterOptions = {
  health: HealthService;
};

export async function createRouter({
  health,
}: RouterOptions): Promise<express.Router> {
  const router = Router();
  router.use(express.json());

  // Open without auth (see plugin.ts): load balancers and Swarm healthchecks
  // call it. It reveals only up/down per dependency.
  router.get('/health', async (_req, res) => {
    const report = await health.report();
    res
      .status(report.status === 'ok' ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(report);
  });

  return router;
}
