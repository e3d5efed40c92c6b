// Placeholder until `npm run db:types` generates it from the live schema.
export type Database = {
  __InternalSupabase: { PostgrestVersion: '12' };
  public: {
    Tables: { [_ in never]: never };
    Views: { [_ in never]: never };
    Functions: {
      authenticate: { Args: Record<PropertyKey, never>; Returns: { company_id: string; company_name: string; company_slug: string }[] };
      oauth_consumer_secret: { Args: { consumer_key: string }; Returns: string };
    };
    Enums: { [_ in never]: never };
    CompositeTypes: { [_ in never]: never };
  };
};
