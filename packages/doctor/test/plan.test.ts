import { fc, test as propTest } from '@fast-check/vitest'
import { isSSEError } from '@ssekit/shared'
import { describe, expect, test } from 'vitest'
import {
  DOCTOR_DEFAULTS,
  DOCTOR_SIZES,
  type DoctorPlan,
  readPlan,
  readPlanOverrides,
  schedulePlan,
  writePlan,
} from '../src/plan.ts'

describe('readPlan', () => {
  test('absent parameters keep the defaults', () => {
    expect(readPlan(new URLSearchParams())).toEqual(DOCTOR_DEFAULTS)
  })

  test('each parameter sets its field', () => {
    const plan = readPlan(
      new URLSearchParams(
        'primer=0&cadence=100&events=3&steady=5&silences=10,20&idle=7000&retry=50',
      ),
    )
    expect(plan).toEqual({
      primerDelay: 0,
      cadence: 100,
      cadenceEvents: 3,
      steadyEvents: 5,
      silences: [10, 20],
      idleProbe: 7000,
      retry: 50,
    })
  })

  test.each([
    ['cadence=0', 'cadence'],
    ['cadence=abc', 'cadence'],
    ['idle=-1', 'idle'],
    ['idle=1e9', 'idle'],
    ['events=1.5', 'events'],
    ['silences=1,,2', 'silences'],
    ['silences=1,2,3,4,5,6,7,8,9,10,11', 'silences'],
  ])('%s is refused with INVALID_OPTION naming %s', (query, name) => {
    try {
      readPlan(new URLSearchParams(query))
      expect.fail('readPlan accepted it')
    } catch (error) {
      expect(isSSEError(error, 'INVALID_OPTION')).toBe(true)
      expect((error as Error).message).toContain(name)
    }
  })
})

const plans: fc.Arbitrary<DoctorPlan> = fc.record({
  primerDelay: fc.integer({ min: 0, max: 10_000 }),
  cadence: fc.integer({ min: 20, max: 5000 }),
  cadenceEvents: fc.integer({ min: 0, max: 200 }),
  steadyEvents: fc.integer({ min: 0, max: 200 }),
  silences: fc.array(fc.integer({ min: 0, max: 600_000 }), { maxLength: 10 }),
  idleProbe: fc.integer({ min: 0, max: 900_000 }),
  retry: fc.integer({ min: 0, max: 60_000 }),
})

propTest.prop([plans])('readPlanOverrides reads back exactly what writePlan wrote', (plan) => {
  expect(readPlanOverrides(writePlan(plan))).toEqual(plan)
})

propTest.prop([plans])(
  'the schedule sends every tick once, in order, cadence or silence apart, and ends after the idle probe',
  (plan) => {
    const { helloAt, ticks, doneAt } = schedulePlan(plan)
    expect(helloAt).toBe(plan.primerDelay)
    expect(ticks).toHaveLength(
      plan.cadenceEvents + plan.steadyEvents + DOCTOR_SIZES.length + plan.silences.length,
    )
    let previous = helloAt
    for (const [index, tick] of ticks.entries()) {
      expect(tick.n).toBe(index + 1)
      expect(tick.at - previous).toBe(tick.phase === 'silence' ? tick.silenceBefore : plan.cadence)
      previous = tick.at
    }
    expect(doneAt - previous).toBe(plan.idleProbe > 0 ? plan.idleProbe : plan.cadence)
  },
)
