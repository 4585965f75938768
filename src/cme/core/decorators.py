"""Marks on views that the middleware reads."""


def two_factor_exempt(view_func):
    """For the pages a user needs on the way through two-factor sign-in (and the public pages
    every user may read before it: accessibility, privacy)."""
    view_func.two_factor_exempt = True
    return view_func
