"""Deployment files: where hosts, wadm and nats-server processes get their environment.

Each reader turns one already-parsed file into :class:`~natslint.deploy.workload.Workload`
records (a compose service, a Kubernetes container, a systemd unit, a .env file, a
WasmCloudHostConfig, a NATS chart release), every value located.  A value that comes from
outside the repository (a shell variable, a Secret) is ``None``: unknown, never guessed.
:mod:`natslint.deploy.read` runs the readers over a discovery.
"""
