"""Web pages take GET (and HEAD) and POST, nothing else: a browser sends no other method,
so any other on a page is refused as a method (405) before a view is reached. The API,
which has PATCH, answers its own methods."""

from django.http import HttpResponseNotAllowed

WEB_METHODS = ("GET", "HEAD", "POST")


class WebMethodsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in WEB_METHODS and not request.path.startswith("/api/"):
            return HttpResponseNotAllowed(WEB_METHODS)
        return self.get_response(request)
