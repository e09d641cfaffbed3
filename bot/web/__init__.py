"""The FastAPI app: webhooks now; the public page and the caseworker console come later."""
