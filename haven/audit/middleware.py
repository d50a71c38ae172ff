from haven.audit import context


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        context.set_request(request.META.get("REMOTE_ADDR"), channel)
        try:
            return self.get_response(request)
        finally:
            context.set_request(None, "system")
