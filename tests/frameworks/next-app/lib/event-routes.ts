// The app's events, hub and stream group. In an app of yours, this module creates them
// (`createHub()`, `createEventStreamGroup()`); here the test's control state provides them, with
// the acknowledged source, so the suite can drive the process from outside.
import { createRemoteControl } from '../../remote/control.ts'

export const control = createRemoteControl(
  Number(process.env.HEARTBEAT ?? 15_000),
  process.env.REDIS_URL,
)
export const { events, hub, streams, heartbeat } = control.options
