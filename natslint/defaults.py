"""The defaults natslint assumes where a file says nothing, each named once."""

# The nats-server version whose config reading natslint reproduces (--nats-version).
DEFAULT_NATS_VERSION = "2.15.1"
# Files larger than this are skipped as NL005 (--max-file-size).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# nats-server's own defaults.
DEFAULT_CLIENT_PORT = 4222
DEFAULT_LEAF_PORT = 7422
DEFAULT_SYSTEM_ACCOUNT = "$SYS"
GLOBAL_ACCOUNT = "$G"  # the account of clients when no accounts are configured
