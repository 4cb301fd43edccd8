import { createDoctorHandler } from '@ssekit/doctor'

const doctor = createDoctorHandler()

// Bun.serve(app), Deno.serve(app.fetch), a Cloudflare Worker or any fetch-style server.
export default {
  fetch(request: Request): Response | Promise<Response> {
    if (new URL(request.url).pathname.startsWith('/ssekit-doctor')) return doctor(request)
    return new Response('the app\n')
  },
}
