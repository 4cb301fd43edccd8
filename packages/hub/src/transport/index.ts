/**
 * The interface a hub transport implements, for authors of transports other than the memory and
 * Redis ones: `createHub({ transport })` takes any {@link HubTransport}. Types only.
 *
 * @module
 */
export type {
  GapReason,
  HubTransport,
  TransportEntry,
  TransportGap,
  TransportItem,
  TransportListener,
  TransportMessage,
} from '../transport.ts'
