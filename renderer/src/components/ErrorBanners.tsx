import { useApp } from '../store/StoreContext.js';
import { ErrorDetails } from './ErrorDetails.js';

/** Failed requests, newest last, each naming what the user was doing; dismissed one by one. */
export function ErrorBanners() {
  const banners = useApp((s) => s.banners);
  const dismiss = useApp((s) => s.dismissBanner);
  if (banners.length === 0) return null;
  return (
    <div className="banners">
      {banners.map((banner) => (
        <div key={banner.id} className="banner banner-error" role="alert" data-testid="error-banner">
          <div className="banner-body">
            <p className="banner-title">{`${banner.action} failed`}</p>
            <ErrorDetails error={banner.error} />
          </div>
          <button
            type="button"
            className="button-icon"
            onClick={() => dismiss(banner.id)}
            aria-label={`Dismiss: ${banner.action} failed`}
            title="Dismiss"
          >
            <span aria-hidden="true">×</span>
          </button>
        </div>
      ))}
    </div>
  );
}
