// `@trainyard/planning-read-models/testing`: the whole-lifecycle scenario for other planning
// projects' spec files (lint allows `@trainyard/*/testing` in *.spec.ts only).
export * from './planning-lifecycle.scenario';
