package adminapi

// LocalGetNodeStatisticsResponse is one node's statistics, as text.
type LocalGetNodeStatisticsResponse struct {
	Freeform string `json:"freeform"`
}
