"""Password sign-in, loading the user with what every request needs in one go."""

from django.contrib.auth.backends import ModelBackend

from cme.accounts.models import User


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        # Every page reads the user's organisation (scope) and roles (permissions): fetch them
        # with the user instead of in two more queries on each request.
        user = (
            User._default_manager.select_related("organisation", "organisation__la")
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        user._roles_cache = frozenset(user.role_grants.values_list("role", flat=True))
        return user
