import { expect, test } from 'vitest'

test('the public API of @ssekit/doctor is exactly this list', async () => {
  expect(Object.keys(await import('@ssekit/doctor')).sort()).toEqual([
    'DOCTOR_DEFAULTS',
    'DOCTOR_EVENTS',
    'DOCTOR_SIZES',
    'DOCTOR_STEADY_SIZE',
    'FIXES',
    'SSEError',
    'analyzeTrace',
    'createDoctorHandler',
    'isSSEError',
    'readPlan',
    'readPlanOverrides',
    'renderReport',
    'runProbe',
    'schedulePlan',
    'writePlan',
  ])
})

test('the public API of @ssekit/doctor/node is exactly this list', async () => {
  expect(Object.keys(await import('@ssekit/doctor/node')).sort()).toEqual([
    'createDoctorNodeHandler',
    'runCli',
  ])
})
