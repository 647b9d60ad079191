"""Model-fitting assets: predictive CLV, its holdout validation, and churn probability."""
