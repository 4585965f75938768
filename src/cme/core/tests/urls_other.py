from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("somewhere-else", lambda request: HttpResponse(), name="only-here")]
