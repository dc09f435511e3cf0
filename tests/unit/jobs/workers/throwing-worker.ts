// A job whose code throws outside any handler: the runner must report a failure, not hang.
throw new Error('boom in the worker');
