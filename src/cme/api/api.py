from ninja import NinjaAPI

api = NinjaAPI(title="CME Tracker API", version="1", urls_namespace="api", docs_url=None)
