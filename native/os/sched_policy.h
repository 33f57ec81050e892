// sched_policy.h: the scheduling policy of this process's threads.
#pragma once

// Puts every thread of the process under SCHED_BATCH (Linux); threads started later inherit it from
// the thread that starts them. Returns 0, or the errno of the first thread that refused (ENOSYS
// where the policy does not exist). See src/storage/native.ts, batchScheduling, for why.
int sched_batch_all_threads();
