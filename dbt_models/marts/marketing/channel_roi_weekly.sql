{#- Channel ROI per week (Monday to Sunday), platform and campaign.
    A view over channel_roi without its period_grain column (macro channel_roi_at_grain). -#}

{{ config(materialized='view') }}

{{ channel_roi_at_grain('week') }}
