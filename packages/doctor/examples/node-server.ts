import { createServer } from 'node:http'
import { createDoctorNodeHandler } from '@ssekit/doctor/node'

// The doctor's page, self-test stream and reconnect check under /ssekit-doctor. Send the headers
// your real streams send: here nginx may buffer, as it would buffer them.
const doctor = createDoctorNodeHandler({
  path: '/ssekit-doctor',
  headers: { 'x-accel-buffering': null },
})

export const server = createServer((req, res) => {
  // Requests outside the doctor's path go on to the app.
  void doctor(req, res, () => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('the app\n')
  })
})

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1')
