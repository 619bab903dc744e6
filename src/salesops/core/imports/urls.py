app_name = "imports"

# The import wizard (upload -> mapping -> preview -> commit -> report) is added here.
urlpatterns: list = []
