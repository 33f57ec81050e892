// Helpers for suites that drive @platformatic/kafka's raw API functions.
import { ResponseError } from '@platformatic/kafka'

/** The decoded response, also when the client turned its error codes into a ResponseError. */
export async function answer<T> (request: Promise<T>): Promise<T> {
  try {
    return await request
  } catch (error) {
    if (error instanceof ResponseError) return (error as unknown as { response: T }).response
    throw error
  }
}
