// Live updates for the console (server-sent events); the pages work without this file.
"use strict";
