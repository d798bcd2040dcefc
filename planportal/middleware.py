"""Response rules that hold for every page, public or staff."""

from django.utils.cache import patch_cache_control


class PrivateToSignedInUsersMiddleware:
    """What a signed-in user is shown (drafts in preview, the admin) is for that
    user alone: no shared cache, proxy or browser history may keep it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
