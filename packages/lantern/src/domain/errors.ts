/**
 * What can go wrong in Lantern's business rules, once: each kind has its HTTP status (the REST
 * API answers it as problem+json) and whether a model acting on the user's behalf can fix it by
 * changing its arguments (the MCP servers say so in their tool errors).
 */
export const PRODUCT_ERRORS = {
  unauthenticated: { status: 401, title: 'Not signed in', modelCanFix: false },
  forbidden: { status: 403, title: 'Not allowed', modelCanFix: false },
  not_found: { status: 404, title: 'Not found', modelCanFix: true },
  invalid: { status: 422, title: 'Invalid input', modelCanFix: true },
  conflict: { status: 409, title: 'Conflict', modelCanFix: true },
} as const;

export type ProductErrorKind = keyof typeof PRODUCT_ERRORS;

export class ProductError extends Error {
  override readonly name = 'ProductError';

  readonly kind: ProductErrorKind;

  constructor(kind: ProductErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }

  get status(): number {
    return PRODUCT_ERRORS[this.kind].status;
  }
}

export function isProductError(error: unknown): error is ProductError {
  return error instanceof ProductError;
}
