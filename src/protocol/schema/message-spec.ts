import { messageSpecs } from './specs.generated.js'
import type { MessageSpec } from './spec-types.js'

/** The generated spec of one message, e.g. 'FetchRequest'; throws for a message we did not generate. */
export function messageSpec (name: string): MessageSpec {
  const spec = messageSpecs[name]
  if (spec === undefined) throw new Error(`no generated spec for ${name}; add it to the version plan and run gen:protocol`)
  return spec
}
