"""URLs of the heritage app, mounted at /heritage/ (coop/urls.py)."""

from django.urls import path

from heritage.views import admin, communities, data, guest_lookup, items, organise, public

app_name = "heritage"

urlpatterns = [
    # Public: gatherings, calendars, registrations.
    path("", public.gathering_list, name="gatherings"),
    path("gatherings.ics", public.feed, name="feed"),
    path("gatherings/<int:pk>/", public.gathering_detail, name="gathering"),
    path("gatherings/<int:pk>.ics", public.gathering_ics, name="gathering_ics"),
    path("gatherings/<int:pk>/register/", public.register, name="register"),
    path("gatherings/<int:pk>/register/guest/", public.register_guest, name="register_guest"),
    path(
        "registrations/verify/<str:token>/",
        public.registration_verify,
        name="registration_verify",
    ),
    path(
        "registrations/cancel/<str:token>/",
        public.registration_cancel_view,
        name="registration_cancel",
    ),
    path("registrations/offer/<str:token>/", public.registration_offer, name="registration_offer"),
    path("registrations/mine/", guest_lookup.guest_lookup, name="guest_lookup"),
    path(
        "registrations/mine/<str:token>/",
        guest_lookup.guest_lookup_list,
        name="guest_lookup_list",
    ),
    # Communities.
    path("communities/", communities.community_list, name="communities"),
    path("communities/<slug:slug>/", communities.community_detail, name="community"),
    path("communities/<slug:slug>.ics", public.community_feed, name="community_feed"),
    path("communities/<slug:slug>/join/", communities.join, name="community_join"),
    path("communities/<slug:slug>/leave/", communities.leave, name="community_leave"),
    path(
        "communities/<slug:slug>/participate/",
        communities.participate,
        name="community_participate",
    ),
    path("participate/<str:token>/", communities.participant_verify, name="participant_verify"),
    path("my/", communities.my_communities, name="my"),
    path("my/data.json", data.my_data, name="my_data"),
    # Heritage items and walks.
    path("items/<int:pk>/", items.item_detail, name="item"),
    path("walks/<int:pk>/", items.walk_detail, name="walk"),
    path("organise/<slug:slug>/items/new/", items.item_new, name="item_create"),
    path("organise/items/<int:pk>/edit/", items.item_edit, name="item_edit"),
    path("organise/items/<int:pk>/images/", items.image_new, name="item_image_add"),
    path("organise/items/<int:pk>/remove/", items.item_remove_view, name="item_remove"),
    path("organise/images/<int:pk>/remove/", items.image_remove_view, name="item_image_remove"),
    path("organise/<slug:slug>/walks/new/", items.walk_new, name="walk_create"),
    path("organise/walks/<int:pk>/edit/", items.walk_edit, name="walk_edit"),
    # Organisers.
    path("organise/", organise.organise_index, name="organise"),
    path("organise/<slug:slug>/new/", organise.gathering_new, name="gathering_create"),
    path("organise/gatherings/<int:pk>/", organise.gathering_manage, name="gathering_manage"),
    path("organise/gatherings/<int:pk>/edit/", organise.gathering_edit, name="gathering_edit"),
    path("organise/gatherings/<int:pk>/publish/", organise.publish, name="gathering_publish"),
    path("organise/gatherings/<int:pk>/cancel/", organise.cancel, name="gathering_cancel"),
    path("organise/gatherings/<int:pk>/attendance/", organise.attendance, name="attendance"),
    path(
        "organise/gatherings/<int:pk>/registrations.csv",
        organise.export_csv,
        name="registrations_csv",
    ),
    path(
        "organise/gatherings/<int:pk>/sign-in-sheet.pdf",
        organise.sign_in_sheet,
        name="sign_in_sheet",
    ),
    # Administrators.
    path("admin/communities/", admin.communities, name="admin_communities"),
    path("admin/communities/new/", admin.community_new, name="admin_community_create"),
    path("admin/communities/<int:pk>/", admin.community_edit, name="admin_community_edit"),
]
