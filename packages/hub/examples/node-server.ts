import { createServer } from 'node:http'
import { createHub } from '@ssekit/hub'
import { createNodeHandler } from '@ssekit/hub/node'

export const hub = createHub()

const handleEvents = createNodeHandler(hub, {
  // EventSource cannot set headers: a page may pass a stored id as ?lastEventId= on first connect.
  lastEventIdParam: 'lastEventId',
  // Anyone may follow public topics; `private:*` topics need a token.
  authorize: (request, topics) =>
    topics.every((topic) => !topic.startsWith('private:')) ||
    (request.headers.authorization === 'Bearer let-me-in' ? true : 401),
  onError: (error) => console.error('event stream ended:', error),
})

// GET /events?topic=news&topic=private:alice streams; POST /publish?topic=news publishes the body.
export const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost')
  if (url.pathname === '/events') return handleEvents(request, response)
  if (url.pathname === '/publish' && request.method === 'POST') {
    let body = ''
    for await (const chunk of request) body += chunk
    const id = await hub.publish(url.searchParams.get('topic') ?? 'news', { data: body })
    return response.writeHead(201, { 'content-type': 'text/plain' }).end(id)
  }
  response.writeHead(404).end()
})

// server.listen(3000)
