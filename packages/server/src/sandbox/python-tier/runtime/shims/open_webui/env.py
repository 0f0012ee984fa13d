"""open_webui.env: the settings plugins read for logging and timeouts (Sluice's defaults, not the server's environment)."""

import collections

GLOBAL_LOG_LEVEL = "INFO"
SRC_LOG_LEVELS = collections.defaultdict(lambda: GLOBAL_LOG_LEVEL)
AIOHTTP_CLIENT_TIMEOUT = 300
AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST = 10
ENABLE_FORWARD_USER_INFO_HEADERS = False
