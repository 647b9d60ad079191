{#- Channel ROI per two-week review window (14 days from var marketing_review_anchor_date),
    platform and campaign.
    A view over channel_roi without its period_grain column (macro channel_roi_at_grain). -#}

{{ config(materialized='view') }}

{{ channel_roi_at_grain('review_window') }}
