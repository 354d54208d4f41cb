# Shelfmark image for the scale-out deployment (docker-compose.yml): web and workers share it.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 SHELFMARK_STATIC=/app/static
WORKDIR /app
COPY requirements.txt .
# The CPU build of torch comes from PyTorch's own index; everything else from PyPI.
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v0 \
    && useradd --system --create-home shelfmark \
    && mkdir -p /data && chown -R shelfmark /app/var /data
# The processes run as an unprivileged user; only /data (the shared volume) and var/ are theirs.
USER shelfmark
EXPOSE 8000
CMD ["gunicorn", "shelfmark.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
