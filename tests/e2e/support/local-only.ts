import { test as base, expect } from '@playwright/test';

/** What a page may request: the local server, and in-page data. */
const LOCAL = /^(http:\/\/127\.0\.0\.1:\d+\/|data:|blob:)/;

/**
 * Playwright's `test`, with every request of every page recorded and checked after each test:
 * the product makes no network request, so any URL off 127.0.0.1 fails the test that made it.
 */
export const test = base.extend<{ localOnly: undefined }>({
  localOnly: [
    async ({ context }, use) => {
      const requests: string[] = [];
      context.on('request', (r) => requests.push(r.url()));
      await use(undefined);
      expect(requests.filter((u) => !LOCAL.test(u))).toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
