"""Background jobs: the durable queue in the database, the embedded worker, Celery.

Both backends run the same task code (``qa_service.jobs.tasks``): claim the job's lease,
analyse, then store the result and close the job in one transaction guarded by the lease,
so a job that runs twice (a worker died, a message came back) leaves one analysis.
"""
