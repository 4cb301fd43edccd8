/**
 * The smallest Next.js app that serves the recipe's routes. Type errors are tsc's job (the
 * workspace's typecheck covers these files), so the build skips its own check and stays short.
 *
 * @type {import('next').NextConfig}
 */
export default {
  typescript: { ignoreBuildErrors: true },
  // The test starts `next start` on 127.0.0.1 and nothing may reach the network.
  images: { unoptimized: true },
  poweredByHeader: false,
}
